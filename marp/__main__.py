import sys

from marp.cli import main

sys.exit(main())
