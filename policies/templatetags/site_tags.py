from django import template

from core.site import absolute_url

register = template.Library()
register.filter("absolute", absolute_url)
