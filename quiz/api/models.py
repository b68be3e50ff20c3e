"""What the APIs keep in the database: teachers' API tokens and Open Trivia DB session tokens.

Both are in the database, like sessions and rate-limit counters, so every app server sees
them. Loaded with :mod:`quiz.models` (it imports this module), so they belong to ``quiz``.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

#: An Open Trivia DB session token is deleted after this long unused, as Open Trivia DB does.
TRIVIA_TOKEN_LIFETIME = timedelta(hours=6)
API_TOKEN_PREFIX = "dsr_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def for_key(self, key: str) -> ApiToken | None:
        """The token whose key this is (compared by hash; the key itself is never stored)."""
        if not key.startswith(API_TOKEN_PREFIX) or len(key) > 100:
            return None
        return self.select_related("user").filter(key_hash=hash_key(key)).first()


class ApiToken(models.Model):
    """A teacher's key to the REST API's teacher endpoints: one per user, shown once.

    Only a SHA-256 hash of the key is stored (the key is 256 random bits, so a plain hash
    is enough), with its first characters to tell tokens apart on the profile page.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_token")
    key_hash = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @classmethod
    def issue(cls, user: models.Model) -> tuple[ApiToken, str]:
        """A new key for ``user``, replacing any old one; returns the token and the key (shown once)."""
        key = API_TOKEN_PREFIX + secrets.token_urlsafe(32)
        token, _ = cls.objects.update_or_create(
            user=user,
            defaults={"key_hash": hash_key(key), "prefix": key[:10], "last_used_at": None},
        )
        return token, key


class TriviaTokenQuerySet(models.QuerySet["TriviaToken"]):
    def live(self) -> TriviaTokenQuerySet:
        return self.filter(last_used_at__gt=timezone.now() - TRIVIA_TOKEN_LIFETIME)

    def purge_expired(self) -> int:
        """Delete tokens unused for :data:`TRIVIA_TOKEN_LIFETIME` (their seen rows go with them)."""
        deleted, _ = self.filter(last_used_at__lte=timezone.now() - TRIVIA_TOKEN_LIFETIME).delete()
        return deleted


class TriviaToken(models.Model):
    """An Open Trivia DB session token: the questions it has been given are never given again."""

    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(db_index=True)

    objects = TriviaTokenQuerySet.as_manager()

    def __str__(self) -> str:
        return self.token

    @classmethod
    def new(cls) -> TriviaToken:
        return cls.objects.create(token=secrets.token_hex(32), last_used_at=timezone.now())


class TriviaTokenSeen(models.Model):
    """One bank entry a token has been given (see :mod:`quiz.api.bank` for the kinds)."""

    class Kind(models.TextChoices):
        FACT_MULTIPLE = "m", "A fact, as multiple choice"
        FACT_BOOLEAN = "b", "A fact, as true or false"
        QUESTION = "q", "A teacher's question"

    token = models.ForeignKey(TriviaToken, on_delete=models.CASCADE, related_name="seen")
    kind = models.CharField(max_length=1, choices=Kind.choices)
    object_id = models.BigIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "kind", "object_id"], name="trivia_seen_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.token_id}: {self.kind}{self.object_id}"
