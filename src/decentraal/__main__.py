import sys

from decentraal.run.cli import main

sys.exit(main())
