"""Benchmarks (`make bench`): throughput and memory against the floor of the libraries we build on."""
