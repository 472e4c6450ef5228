"""Handlers the project is measured against. Each module is a whole Lambda function of its own."""
