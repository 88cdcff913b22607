"""Sample data: what the departments of the registry's plans would have sent, month by month.

`generate_sample` writes filled templates, statistics-bureau tables and (with a mess rate) the messy
variants real offices send, with a manifest of every file and messy cell and the truth of every
observation, so ingestion can be tested against exactly what was sent.
"""

from planwatch.sample.generate import SampleResult, generate_sample, sample_periods

__all__ = ["SampleResult", "generate_sample", "sample_periods"]
