"""Search engines behind one narrow interface (see ``base``); one folder per engine."""
