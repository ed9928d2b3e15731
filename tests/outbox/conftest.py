from tests.reports.conftest import own_broker  # noqa: F401 - a Redis the test can stop
