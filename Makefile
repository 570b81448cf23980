.PHONY: soak

# The load test: 50 clients for 60 s against a service of its own (see bin/soak).
soak:
	bin/soak
