"""Errors raised by retrieval and the catalog; mapped to HTTP in one place by the service layer."""


class RetrievalError(Exception):
    """Base class of every error the retrieval package raises on purpose."""


class InvalidQueryError(RetrievalError, ValueError):
    """A query argument is out of range (k <= 0, impossible coordinates ...); the message says which."""


class UnknownCityError(InvalidQueryError):
    """A city name that is not in the gazetteer."""


class UnknownShopError(RetrievalError, KeyError):
    """A shop id that is not in the catalog."""


class CatalogMissingError(RetrievalError):
    """No catalog has been built yet at the configured path."""


class IndexStaleError(RetrievalError):
    """A saved index was built from a different catalog than the one loaded."""
