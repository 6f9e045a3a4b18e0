from django.contrib.auth import get_user_model
from rest_framework import serializers

from bimflow.accounts.models import Membership, Role

User = get_user_model()


class UserSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username", "email", "is_superuser"]


class UserBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "username"]


class LoginSerializer(serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"})


class TokenSerializer(serializers.Serializer):
    token = serializers.CharField(read_only=True)


class MembershipSerializer(serializers.ModelSerializer):
    user = serializers.IntegerField(source="user_id", required=False)
    username = serializers.CharField(source="user.username", required=False)
    role = serializers.ChoiceField(choices=Role.choices)

    class Meta:
        model = Membership
        fields = ["user", "username", "role"]

    def validate(self, attrs):
        if (
            not self.partial
            and not attrs.get("user_id")
            and not attrs.get("user", {}).get("username")
        ):
            raise serializers.ValidationError({"username": ["Give a username or a user id."]})
        return attrs
