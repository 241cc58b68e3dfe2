"""Subscribing through the API: the same double opt-in, limits and answer as the site's form."""

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import Throttled, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from core.api.common import DeliverableEmailField, StrictSerializer
from core.api.errors import form_errors
from core.throttle import hourly_limit_reached
from notifications.forms import SubscribeForm
from notifications.models import Frequency, Subscriber
from notifications.services import subscribers
from notifications.views import SUBSCRIBE_ATTEMPTS_PER_HOUR
from topics.models import Topic


class SubscriptionInputSerializer(StrictSerializer):
    email = DeliverableEmailField(help_text="Where to send the confirmation link, and then the emails.")
    all_analyses = serializers.BooleanField(required=False, default=False, help_text="Every new analysis.")
    topics = serializers.ListField(
        child=serializers.SlugField(),
        required=False,
        default=list,
        help_text="Or only analyses on these topics (slugs).",
    )
    webinars = serializers.BooleanField(required=False, default=False)
    consultations = serializers.BooleanField(required=False, default=False)
    frequency = serializers.ChoiceField(choices=Frequency.choices, required=False, default=Frequency.IMMEDIATE)

    # ChoicesForm.clean: at least one thing to receive.
    schema_rules = {
        "anyOf": [
            *(
                {"properties": {name: {"enum": [True]}}, "required": [name]}
                for name in ("all_analyses", "webinars", "consultations")
            ),
            {"properties": {"topics": {"minItems": 1}}, "required": ["topics"]},
        ]
    }

    def validate_topics(self, slugs: list[str]) -> list[int]:
        found = dict(Topic.objects.filter(slug__in=slugs).values_list("slug", "pk"))
        unknown = sorted(set(slugs) - set(found))
        if unknown:
            raise ValidationError(_("No such topic: %(slugs)s.") % {"slugs": ", ".join(unknown)})
        return [found[slug] for slug in slugs]


class SubscriptionAcceptedSerializer(serializers.Serializer):
    detail = serializers.CharField()


@extend_schema(tags=["subscriptions"])
class SubscriptionViewSet(viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    queryset = Subscriber.objects.none()
    serializer_class = SubscriptionInputSerializer

    @extend_schema(
        summary="Subscribe to email updates",
        description=(
            "Double opt-in: a link to confirm is emailed, and nothing else is sent until its page's button is pressed. "
            "The answer is the same whatever the address, so it tells no one who is subscribed."
        ),
        responses={202: SubscriptionAcceptedSerializer},
    )
    def create(self, request: Request) -> Response:
        serializer = SubscriptionInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = SubscribeForm(serializer.validated_data)
        if not form.is_valid():
            raise form_errors(form)
        # The site form's own limit, on the same counter, so the API is no way around it.
        if hourly_limit_reached(request._request, "subscribe", SUBSCRIBE_ATTEMPTS_PER_HOUR):
            raise Throttled(wait=3600)
        subscribers.subscriber_subscribe(email=form.cleaned_data["email"], choices=form.choices())
        message = _(
            "If that address can be subscribed, an email is on its way. "
            "Open the link in it and press the button to confirm: nothing else is sent until you do."
        )
        return Response({"detail": message}, status=status.HTTP_202_ACCEPTED)
