"""What many test modules need: the race harness, a real job consumer, the clients."""
