import sys
from pathlib import Path

# make "bench" importable when pytest is pointed at this folder
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
