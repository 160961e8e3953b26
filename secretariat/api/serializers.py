"""The output of `/api/v1/stats/`, described for the schema (the view returns plain dicts built
by `secretariat.stats`, which these serializers mirror field by field)."""

from rest_framework import serializers


class StatsCountRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Code of the category (vocabulary code, M49, year...).")
    label = serializers.CharField(help_text="Name of the category in the request's language.")
    value = serializers.IntegerField(help_text="Number counted.")


class StatsSdgRowSerializer(StatsCountRowSerializer):
    colour = serializers.CharField(help_text="Official colour of the goal, #rrggbb.")


class StatsMoneyRowSerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()
    value = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text="Sum of the resources pledged, in `currency` (amounts are never converted).",
    )
    currency = serializers.CharField(help_text="ISO 4217 code.")
    mobilised = serializers.DecimalField(
        max_digits=20,
        decimal_places=2,
        help_text=(
            "Sum of the resources mobilised, in `currency`: for each commitment, the amount "
            "of its latest public progress update that reports one."
        ),
    )


class StatsTotalsSerializer(serializers.Serializer):
    partners = serializers.IntegerField()
    commitments = serializers.IntegerField()
    deliverables = serializers.IntegerField()


class StatsGrowthRowSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    new_partners = serializers.IntegerField(help_text="Partners approved in the year.")
    new_commitments = serializers.IntegerField(help_text="Commitments first published in it.")
    partners = serializers.IntegerField(help_text="Running total of partners.")
    commitments = serializers.IntegerField(help_text="Running total of commitments.")


class StatsCountryRowSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="ISO 3166-1 alpha-2.")
    label = serializers.CharField()
    commitments = serializers.IntegerField(
        help_text="Commitments there: as the commitments list's `country` filter finds them."
    )
    partners = serializers.IntegerField(help_text="Partners headquartered there.")


class StatsSerializer(serializers.Serializer):
    totals = StatsTotalsSerializer()
    partners_by_constituency = StatsCountRowSerializer(many=True)
    partners_by_region = StatsCountRowSerializer(many=True)
    commitments_by_thematic_area = StatsCountRowSerializer(many=True)
    commitments_by_priority = StatsCountRowSerializer(many=True)
    commitments_by_sdg = StatsSdgRowSerializer(many=True)
    commitments_by_level = StatsCountRowSerializer(many=True)
    commitments_by_year = StatsCountRowSerializer(many=True)
    deliverables_by_status = StatsCountRowSerializer(many=True)
    commitments_by_reporting_status = StatsCountRowSerializer(many=True)
    resources_by_thematic_area = StatsMoneyRowSerializer(many=True)
    resources_by_region = StatsMoneyRowSerializer(many=True)
    resources_by_constituency = StatsMoneyRowSerializer(many=True)
    growth = StatsGrowthRowSerializer(many=True)
    countries = StatsCountryRowSerializer(many=True)


# Good practices ----------------------------------------------------------------------------------
#
# What the API shows of a good practice: published ones in full; one that was published and left
# public view comes in a sync as `{"id", "public": false, "updated_at"}`. Never its reason of
# return, its author, its attachments (files of drafts stay on the website) nor anything else
# of a practice that is not published.


class GoodPracticeOrganizationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    acronym = serializers.CharField(allow_blank=True)


class GoodPracticeSerializer(serializers.Serializer):
    """A practice a partner shared, curated and published by the Secretariat."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always true for a published practice.")
    title = serializers.CharField()
    summary = serializers.CharField()
    what_worked = serializers.CharField()
    results = serializers.CharField(allow_blank=True)
    organization = GoodPracticeOrganizationSerializer(help_text="The partner that shared it.")
    countries = serializers.ListField(
        child=serializers.CharField(), help_text="ISO 3166-1 alpha-2 codes."
    )
    thematic_areas = serializers.ListField(
        child=serializers.CharField(), help_text="Codes of thematic areas."
    )
    sdgs = serializers.ListField(
        child=serializers.IntegerField(), help_text="Numbers of Sustainable Development Goals."
    )
    language = serializers.CharField(help_text="Language of the text.")
    published_at = serializers.DateTimeField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    web_url = serializers.URLField(help_text="Its page on the registry's website.")


class GoodPracticeRemovedSerializer(serializers.Serializer):
    """A practice that left public view: remove your copy."""

    id = serializers.IntegerField()
    public = serializers.BooleanField(help_text="Always false.")
    updated_at = serializers.DateTimeField()
