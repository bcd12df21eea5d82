"""Kakehashi runs a network of business-education centers."""
