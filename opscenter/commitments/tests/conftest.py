from opscenter.pipeline.tests.conftest import channels, make_customer  # noqa: F401  (shared fixtures)
