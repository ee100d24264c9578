"""marp's benchmarks: run ``python -m bench.<name>`` from the repository root."""
