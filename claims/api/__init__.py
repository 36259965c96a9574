"""The JSON APIs: the public status API and the newsroom API."""
