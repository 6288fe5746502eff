DROP TABLE posts;
DROP TABLE town_profiles;
DROP TABLE towns;
DROP TABLE districts;
