"""The course in a real browser: headless Chromium driving JupyterLab (see lab.py)."""
