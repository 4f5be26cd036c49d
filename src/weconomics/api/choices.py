"""The API's enumerations as Literals of their values, written out where they are used.

ninja names an enum of the OpenAPI document by its class name alone, so enums of the same
name (Community.Kind and Product.Kind, Occurrence.Status and Product.Status, ...) overwrite
each other there and the document lists one's values for the other. A Literal is written
out in place, so every field and parameter shows the values the server accepts.
"""

from typing import Literal


def values_of(choices) -> type:
    """A Literal of a Django choices class's values, for a schema field or a parameter."""
    return Literal[tuple(choices.values)]  # type: ignore[return-value]
