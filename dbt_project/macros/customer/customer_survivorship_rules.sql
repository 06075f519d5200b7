{#-
    The survivorship rules of dim_customer, one entry per (attribute, system): which column of
    int_customer__crm_records / int_customer__erp_records offers a value, its rank (lower wins;
    SQL over the record's columns), the time that breaks ties within a rank and whether the
    newest or the oldest time wins. The last tie-break is the lowest record key.
-#}
{% macro customer_survivorship_rules() %}
    {%- set live_first = "case when is_deleted then 2 else 1 end" -%}
    {%- set live_crm_after_erp = "case when is_deleted then 3 else 2 end" -%}
    {{ return([
        {"attribute": "customer_name", "source": "erp", "value": "customer_name",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "customer_name", "source": "crm", "value": "customer_name",
         "rank": "case when is_deleted then 4 when is_branch then 3 else 2 end",
         "observed_at": "created_at", "newest_first": false},
        {"attribute": "tax_id", "source": "erp", "value": "tax_id",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "tax_id", "source": "crm", "value": "tax_id",
         "rank": "2", "observed_at": "updated_at", "newest_first": true},
        {"attribute": "customer_type", "source": "erp", "value": "customer_type",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "region", "source": "erp", "value": "region",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "region", "source": "crm", "value": "region",
         "rank": live_crm_after_erp, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "industry", "source": "erp", "value": "industry",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "industry", "source": "crm", "value": "industry",
         "rank": live_crm_after_erp, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "owner_user_id", "source": "crm", "value": "owner_user_id",
         "rank": live_first, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "customer_level", "source": "crm", "value": "customer_level",
         "rank": live_first, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "source_channel", "source": "crm", "value": "source_channel",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
        {"attribute": "phone", "source": "crm",
         "value": "coalesce(mobile_normalised, telephone_normalised)",
         "rank": live_first, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "phone", "source": "erp", "value": "phone_normalised",
         "rank": "1", "observed_at": "created_at", "newest_first": true},
        {"attribute": "email", "source": "crm", "value": "email_normalised",
         "rank": live_first, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "address", "source": "crm", "value": "address",
         "rank": live_first, "observed_at": "updated_at", "newest_first": true},
        {"attribute": "address", "source": "erp", "value": "address",
         "rank": "1", "observed_at": "created_at", "newest_first": true},
        {"attribute": "erp_salesperson", "source": "erp", "value": "salesperson",
         "rank": "1", "observed_at": "created_at", "newest_first": false},
    ]) }}
{% endmacro %}


{#- The golden attributes, in the order the rules name them first. -#}
{% macro customer_golden_attributes() %}
    {%- set names = [] -%}
    {%- for rule in customer_survivorship_rules() -%}
        {%- if rule.attribute not in names -%}{%- do names.append(rule.attribute) -%}{%- endif -%}
    {%- endfor -%}
    {{ return(names) }}
{% endmacro %}
