"""Figures of reminders and deliveries for ``/metrics`` (``core.metrics``, through ``settings.METRICS_COLLECTORS``)."""

from django.db.models import Count
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from .models import Delivery, DeliveryStatus, ReminderSent


class DeliveryCollector:
    """Reminders sent and deliveries failed or waiting, counted in the database at scrape time (indexed columns)."""

    def collect(self):
        reminders = CounterMetricFamily("luocun_reminders_sent", "Overdue reminders sent, by level", labels=["level"])
        for row in ReminderSent.objects.order_by().values("level").annotate(n=Count("pk")):
            reminders.add_metric([row["level"]], row["n"])
        yield reminders

        counts = (
            Delivery.objects.order_by()
            .filter(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING])
            .values("channel", "status")
            .annotate(n=Count("pk"))
        )
        failed = CounterMetricFamily(
            "luocun_deliveries_failed", "Outside deliveries given up after their retries", labels=["channel"]
        )
        pending = GaugeMetricFamily("luocun_deliveries_pending", "Outside deliveries waiting", labels=["channel"])
        for row in counts:
            (failed if row["status"] == DeliveryStatus.FAILED else pending).add_metric([row["channel"]], row["n"])
        yield failed
        yield pending
