"""Server time and SQL queries of the demo analysis page, through Django's test client.

python -m bench.analysis_page [runs]
"""

import sys

from bench.harness import count_queries, emit, setup_django, summary, throwaway_database, time_calls


def main(runs: int) -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from policies.demo import SEED_SLUG

    with throwaway_database():
        call_command("load_demo_content", verbosity=0)
        client = Client()
        url = f"/analyses/{SEED_SLUG}/"
        with count_queries() as queries:
            response = client.get(url)
        assert response.status_code == 200
        timings = time_calls(lambda: client.get(url), repeat=runs)
        emit(
            {
                "bench": "analysis_page",
                "database": connection.vendor,
                "queries": len(queries),
                "bytes": len(response.content),
                **summary(timings),
            }
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
