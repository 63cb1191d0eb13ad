"""The data of strikemap: layer catalogue, schemas, reading, writing and validation."""
