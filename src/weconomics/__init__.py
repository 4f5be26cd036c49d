"""Weconomics: one shared core (Login, Contact, Products, Bookings) for many communities."""

__version__ = "0.1.0"
