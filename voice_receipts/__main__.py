import sys

from voice_receipts.cli import main

sys.exit(main())
