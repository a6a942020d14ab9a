"""dlkit.widgets drawn headless: figures with titles and labels, correct content, no leaks."""
