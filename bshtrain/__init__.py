"""bshtrain: a course on between-session homework for trainee therapists."""

__version__ = "0.1.0"
