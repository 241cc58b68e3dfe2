"""What every app's API shares: parsing, pagination, throttles, link fields, the schema and the one error shape."""
