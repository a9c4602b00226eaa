"""Command-line tools (``ros-synth``, docs, schema); not imported by the library."""
