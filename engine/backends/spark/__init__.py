"""The Spark backend: the same compiled SQL as DuckDB's, transpiled to Spark SQL (engine/dialects/
spark.py). ``run`` drives a validation, ``load`` reads the files into cached views, ``helpers``
registers the SQL helpers rules use. Imported only when ``--engine spark`` is chosen."""
from .run import fused_for_spark, spark_session, validate_submission

__all__ = ["fused_for_spark", "spark_session", "validate_submission"]
