from django_tasks import task

from weconomics.notifications import services


@task()
def send_digests() -> int:
    """Email the digest to every account whose daily or weekly digest is due."""
    return services.send_digests()
