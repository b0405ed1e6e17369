import sys

from voiceprep.cli import main

sys.exit(main())
