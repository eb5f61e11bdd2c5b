"""Everything that touches the outside world: persistence, files, the command line."""
