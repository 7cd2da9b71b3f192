"""Everything that drives the browser: the session, network recording, consent clicking, collection."""
