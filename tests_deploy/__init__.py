"""The production run: Relay deployed as deploy/ and the README say, on loopback."""
