/* test_timeutil.c - dates and timestamps, against epochs worked out by hand
 * (2024-05-01T00:00:00Z = 19844 days * 86400 = 1714521600). */
#include <criterion/criterion.h>

#include "timeutil.h"

Test(time, days_from_civil)
{
	cr_assert_eq(time_days_from_civil(1970, 1, 1), 0);
	cr_assert_eq(time_days_from_civil(1970, 3, 1), 59);
	cr_assert_eq(time_days_from_civil(2000, 3, 1), 11017);
	cr_assert_eq(time_days_from_civil(2024, 5, 1), 19844);
}

Test(time, timestamps_with_zones)
{
	double t;
	cr_assert_eq(time_parse_timestamp("2024-05-01T02:00:00Z", &t), 0);
	cr_assert_float_eq(t, 1714528800.0, 1e-6);
	cr_assert_eq(time_parse_timestamp("2024-05-01 04:00:00+02:00", &t), 0);
	cr_assert_float_eq(t, 1714528800.0, 1e-6);
	cr_assert_eq(time_parse_timestamp("2024-04-30T21:30-0430", &t), 0);
	cr_assert_float_eq(t, 1714528800.0, 1e-6);
	cr_assert_eq(time_parse_timestamp("2024-05-01T02:00Z", &t), 0);
	cr_assert_float_eq(t, 1714528800.0, 1e-6);
	cr_assert_eq(time_parse_timestamp("2024-05-01T02:00:00.250Z", &t), 0);
	cr_assert_float_eq(t, 1714528800.25, 1e-6);
	cr_assert_eq(time_parse_timestamp("1714528800", &t), 0);
	cr_assert_float_eq(t, 1714528800.0, 1e-6);
	cr_assert_eq(time_parse_timestamp("1714528800.5", &t), 0);
	cr_assert_float_eq(t, 1714528800.5, 1e-6);
	cr_assert_eq(time_parse_timestamp("2024-02-29T00:00:00Z", &t), 0);
	cr_assert_float_eq(t, (19844.0 - 62) * 86400.0, 1e-6); /* March 31 + April 30 + 1 days before May 1 */
}

Test(time, ambiguous_or_impossible_timestamps_are_refused)
{
	double t;
	cr_assert_eq(time_parse_timestamp("2024-05-01T02:00:00", &t), -1); /* no zone */
	cr_assert_eq(time_parse_timestamp("2023-02-29T00:00:00Z", &t), -1);
	cr_assert_eq(time_parse_timestamp("2024-13-01T00:00:00Z", &t), -1);
	cr_assert_eq(time_parse_timestamp("2024-05-01T24:00:00Z", &t), -1);
	cr_assert_eq(time_parse_timestamp("2024-05-01T02:00:00Zjunk", &t), -1);
	cr_assert_eq(time_parse_timestamp("yesterday", &t), -1);
	cr_assert_eq(time_parse_timestamp("", &t), -1);
	cr_assert_eq(time_parse_timestamp("-5", &t), -1);
	cr_assert_eq(time_parse_timestamp("12e3", &t), -1);
}

Test(time, run_dates)
{
	int y, m, d;
	cr_assert_eq(time_parse_date("2024-02-29", &y, &m, &d), 0);
	cr_assert_eq(y * 10000 + m * 100 + d, 20240229);
	cr_assert_eq(time_parse_date("2023-02-29", &y, &m, &d), -1);
	cr_assert_eq(time_parse_date("2024-5-1", &y, &m, &d), -1);
	cr_assert_eq(time_parse_date("2024-05-01x", &y, &m, &d), -1);
	cr_assert_eq(time_parse_date("2024-04-31", &y, &m, &d), -1);
}
