"""Pages: each module registers its routes with the layout decorators."""
