"""The use cases that change core's records: accounts and API tokens."""
