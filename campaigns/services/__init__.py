"""Campaign operations, one module per sub-domain. They change rows and flush; views commit."""
