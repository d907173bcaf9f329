# The real tree checks its host prerequisites here; the Makefile's prereq rule stands in.
