from django import template

from config.site import absolute_url

register = template.Library()
register.filter("absolute", absolute_url)
