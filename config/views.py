from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    """Liveness for load balancers; also the "bare view" the benchmark compares against.

    It goes through the full middleware stack but touches no database.
    """
    return HttpResponse("ok", content_type="text/plain")
