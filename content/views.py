from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from content.models import Tag, Topic


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "content/home.html", {"topics": Topic.objects.published()})


@require_GET
def topic_detail(request: HttpRequest, slug: str) -> HttpResponse:
    topic = get_object_or_404(Topic.objects.published(), slug=slug)
    return render(request, "content/topic_detail.html", {"topic": topic})


@require_GET
def tag_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tag = get_object_or_404(Tag, slug=slug)
    return render(request, "content/tag_detail.html", {"tag": tag})


@require_GET
def search(request: HttpRequest) -> HttpResponse:
    return render(request, "content/search.html", {"query": request.GET.get("q", "")})
