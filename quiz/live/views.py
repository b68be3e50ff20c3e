"""Pages of the live game: host one, join one, play one; each works without JavaScript.

With JavaScript the host's and the players' screens follow the game over a WebSocket
(:mod:`quiz.live.consumers`); without it, they are plain pages that reload themselves, and
answers and the host's buttons are plain POST forms. Every page is built from the same
:func:`quiz.live.game.stage` the WebSocket sends, so a reload shows where the game is.

A game is the host's: anyone else gets a 404 for its host pages. A player is whoever this
browser joined as (the session, or the signed-in account), never a value from a form.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING
from uuid import UUID

import segno
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from quiz.accounts import throttle
from quiz.live import game as live
from quiz.live.consumers import host_context, player_context
from quiz.live.forms import JoinForm, NewGameForm
from quiz.live.models import LiveGame, LivePlayer
from quiz.models import Classroom, Throttle

if TYPE_CHECKING:
    from django.http import HttpRequest

    from quiz.permissions import AuthenticatedHttpRequest

#: Wrong PINs from one client address in an hour before joining is refused from it: a class
#: sharing one address can mistype plenty; guessing one of a million PINs cannot work.
WRONG_PIN_PER_IP = throttle.Limit("live-pin-ip", 40, throttle.HOUR)


def _send(group: str, message: dict) -> None:
    layer = get_channel_layer()
    if layer is not None:
        async_to_sync(layer.group_send)(group, message)


# Hosting ------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def live_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    classroom = None
    classroom_id = request.GET.get("classroom") or request.POST.get("classroom")
    if classroom_id and classroom_id.isdigit():
        classroom = Classroom.objects.filter(pk=classroom_id, teacher=request.user).first()
    error = ""
    if request.method == "POST":
        form = NewGameForm(request.POST)
        if form.is_valid():
            quiz, tag = form.cleaned_data["source"]
            try:
                game = live.create_game(
                    request.user.pk,
                    quiz,
                    tag=tag,
                    length=form.cleaned_data["length"],
                    scoring=form.cleaned_data["scoring"],
                    seconds=form.cleaned_data["seconds"],
                    extra_time=form.cleaned_data["extra_time"],
                    classroom_id=classroom.pk if classroom else None,
                )
            except live.NoQuestions:
                error = "That choice has no questions a phone can answer yet: choose another."
            else:
                return redirect("live_host", game.pk)
    else:
        form = NewGameForm(initial={"source": request.GET.get("source", "")})
    return render(
        request,
        "quiz/live/new.html",
        {"form": form, "classroom": classroom, "error": error},
        status=400 if request.method == "POST" else 200,
    )


def _hosted(request: AuthenticatedHttpRequest, game_id: UUID) -> LiveGame:
    return get_object_or_404(LiveGame, pk=game_id, host=request.user)


def join_url(request: HttpRequest, game: LiveGame) -> str:
    return request.build_absolute_uri(reverse("live_join")) + f"?pin={game.pin}"


@never_cache
@login_required
@require_GET
def live_host(request: AuthenticatedHttpRequest, game_id: UUID) -> HttpResponse:
    game = _hosted(request, game_id)
    live.touch_host(game.pk)
    if live.close_if_due(game.pk):
        live.broadcast(game.pk)
    context = host_context(live.stage(game.pk))
    context.update(
        game=game, join_url=join_url(request, game), join_path=request.get_host() + reverse("live_join")
    )
    return render(request, "quiz/live/host.html", context)


@never_cache
@login_required
@require_GET
def live_qr(request: AuthenticatedHttpRequest, game_id: UUID) -> HttpResponse:
    """The join address with the PIN as a QR code (SVG), for the host's screen."""
    game = _hosted(request, game_id)
    svg = io.BytesIO()
    qr = segno.make(join_url(request, game), error="m")
    qr.save(svg, kind="svg", scale=8, border=2, light="#fff", svgns=True)  # an <img> needs the namespace
    return HttpResponse(svg.getvalue(), content_type="image/svg+xml")


@login_required
@require_POST
def live_host_action(request: AuthenticatedHttpRequest, game_id: UUID) -> HttpResponse:
    """The host's buttons: start / next question, close the question now, end, remove a player."""
    game = _hosted(request, game_id)
    action = request.POST.get("action", "")
    changed = False
    if action == "next":
        changed = live.open_next_question(game)
    elif action == "close":
        changed = live.close_question(game.pk, game.position)
    elif action == "finish":
        changed = live.finish(game.pk)
    elif action == "remove":
        player_id = request.POST.get("player", "")
        if player_id.isdigit() and live.remove_player(game, int(player_id)):
            _send(live.group_name(game.pk), {"type": "live.removed", "player": int(player_id)})
    else:
        return HttpResponse("Unknown action.", status=400, content_type="text/plain")
    if changed:
        live.broadcast(game.pk)
    if request.headers.get("HX-Request") == "true":
        return HttpResponse(status=204)
    return redirect("live_host", game.pk)


# Playing ------------------------------------------------------------------------


def _client_blocked(request: HttpRequest) -> bool:
    key = throttle.key_for(WRONG_PIN_PER_IP, throttle.client_ip(request))
    return Throttle.objects.filter(
        key=key, window_end__gt=timezone.now(), count__gte=WRONG_PIN_PER_IP.requests
    ).exists()


def _refused(request: HttpRequest) -> HttpResponse:
    row = Throttle.objects.filter(key=throttle.key_for(WRONG_PIN_PER_IP, throttle.client_ip(request))).first()
    seconds = max(1, math.ceil((row.window_end - timezone.now()).total_seconds())) if row else 3600
    response = render(request, "quiz/live/throttled.html", {"minutes": math.ceil(seconds / 60)}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@never_cache
@require_http_methods(["GET", "POST"])
def live_join(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = JoinForm(request.POST)
        if form.is_valid():
            if _client_blocked(request):
                return _refused(request)
            live.end_abandoned()
            game = live.open_game_with_pin(form.cleaned_data["pin"])
            if game is None:
                throttle.hit(
                    throttle.key_for(WRONG_PIN_PER_IP, throttle.client_ip(request)), WRONG_PIN_PER_IP.window
                )
                if _client_blocked(request):
                    return _refused(request)
                form.add_error("pin", "No game is open with that PIN. Check the number on the class screen.")
            else:
                if not request.session.session_key:
                    request.session["live_player"] = True
                    request.session.save()
                user_id = request.user.pk if request.user.is_authenticated else None
                try:
                    live.join(
                        game,
                        form.cleaned_data["nickname"],
                        user_id=user_id,
                        session_key=request.session.session_key or "",
                    )
                except live.JoinRefused as refused:
                    form.add_error("nickname", str(refused))
                else:
                    _send(live.host_group_name(game.pk), {"type": "live.lobby"})
                    return redirect("live_play", game.pk)
        return render(request, "quiz/live/join.html", {"form": form}, status=400)
    form = JoinForm(initial={"pin": request.GET.get("pin", "")[:20]})
    return render(request, "quiz/live/join.html", {"form": form})


def _my_player(request: HttpRequest, game_id: UUID) -> LivePlayer | None:
    user_id = request.user.pk if request.user.is_authenticated else None
    return live.player_of(game_id, user_id, request.session.session_key or "")


@never_cache
@require_GET
def live_play(request: HttpRequest, game_id: UUID) -> HttpResponse:
    player = _my_player(request, game_id)
    if player is None:
        return redirect("live_join")
    if player.removed:
        return render(request, "quiz/live/play.html", {"removed": True, "game_id": game_id})
    if live.close_if_due(game_id):
        live.broadcast(game_id)
    stage = live.stage(game_id)
    mine = live.answered_choice(player.pk, game_id, stage["position"]) if stage["position"] else None
    context = player_context(stage, player.pk, player.nickname, mine)
    context["game_id"] = game_id
    return render(request, "quiz/live/play.html", context)


@require_POST
def live_answer(request: HttpRequest, game_id: UUID) -> HttpResponse:
    """An answer from a phone without JavaScript (the WebSocket takes the others)."""
    player = _my_player(request, game_id)
    if player is None or player.removed:
        raise Http404
    try:
        choice = int(request.POST.get("choice", ""))
        position = int(request.POST.get("position", ""))
    except ValueError:
        return redirect("live_play", game_id)
    game = LiveGame.objects.get(pk=game_id)
    if game.state == LiveGame.State.QUESTION and game.position == position and 0 <= choice < 32:
        opened = live.Opened(
            position=position,
            opened_at=game.opened_at.timestamp() if game.opened_at else 0.0,
            window=game.window_seconds if game.is_timed else 0,
            scoring=game.scoring,
        )
        answered = live.record_answer(game_id, player.pk, opened, choice)
        if answered is not None and answered.stored:
            if live.close_if_all_answered(game_id, position):
                live.broadcast(game_id)
            else:
                _send(
                    live.host_group_name(game_id),
                    {
                        "type": "live.answered",
                        "position": position,
                        "count": live.answer_count(game_id, position),
                    },
                )
    return redirect("live_play", game_id)
