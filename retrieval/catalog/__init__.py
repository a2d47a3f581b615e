"""The partner repair-shop catalog: vocabularies, cities, a seeded generator and the SQLite store."""
