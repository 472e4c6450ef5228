import sys

from voice_receipts.tools.cli import main

sys.exit(main())
