"""Shared helpers of the SDK tests."""
