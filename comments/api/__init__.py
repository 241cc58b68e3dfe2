"""The comments API: threads, posting and reports for everyone (threads), the queues for moderators (queues)."""
