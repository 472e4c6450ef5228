"""What runs on a person's machine, never in the function: the command line (cli/), replay,
serve, send, the report. Everything outside this folder (and __main__.py) is what a function
package ships; deploy/build_package.py and tests/unit/test_architecture.py read that one rule."""
