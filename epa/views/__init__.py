"""End-point assessment views, one module per topic."""
