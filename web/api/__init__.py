"""The JSON REST API (/api/v1) and its OpenAPI document, generated from the metadata."""
