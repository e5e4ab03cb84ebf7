"""Names and places for synthetic demo data, by region.

Naming customs differ: in the north women are often "<name> Devi" with the
husband's full name as relative; in Odisha and Maharashtra the family name is
shared; in Tamil Nadu a woman carries one given name and her husband's or
father's given name as the relative.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Region:
    state: str
    state_lgd: int
    districts: tuple[str, ...]
    women: tuple[str, ...]
    men: tuple[str, ...]
    family_names: tuple[str, ...]
    # How a married woman's name is written: "devi" (Sunita Devi), "family"
    # (Sunita Patil) or "given" (Lakshmi).
    style: str
    place_parts: tuple[tuple[str, ...], tuple[str, ...]]


REGIONS = (
    Region(
        state="Uttar Pradesh",
        state_lgd=9,
        districts=("Barabanki", "Gorakhpur", "Sitapur", "Bahraich"),
        women=(
            "Sunita",
            "Phoolmati",
            "Kamla",
            "Geeta",
            "Rekha",
            "Savitri",
            "Urmila",
            "Manju",
            "Sarita",
            "Pushpa",
            "Shanti",
            "Rameshwari",
            "Kusum",
            "Anita",
            "Sushila",
            "Meena",
            "Radha",
            "Lalti",
            "Munni",
            "Kiran",
        ),
        men=(
            "Ramesh",
            "Suresh",
            "Rajendra",
            "Ram Prasad",
            "Shyam Lal",
            "Mahesh",
            "Dinesh",
            "Rakesh",
            "Santosh",
            "Vijay",
            "Ram Kishore",
            "Mohan",
            "Raju",
            "Shiv Kumar",
        ),
        family_names=(
            "Yadav",
            "Verma",
            "Maurya",
            "Kumar",
            "Singh",
            "Prajapati",
            "Pal",
            "Rawat",
            "Gautam",
            "Nishad",
        ),
        style="devi",
        place_parts=(
            ("Ram", "Shiv", "Lakshman", "Bhagwan", "Sultan", "Hasan", "Devi", "Rasool"),
            ("pur", "ganj", "nagar", "khera", "garh", "abad", "pura", "dih"),
        ),
    ),
    Region(
        state="Odisha",
        state_lgd=21,
        districts=("Ganjam", "Mayurbhanj", "Koraput", "Kalahandi"),
        women=(
            "Sabitri",
            "Kuni",
            "Mamata",
            "Pramila",
            "Sasmita",
            "Jharana",
            "Bhagyashree",
            "Sumitra",
            "Puspanjali",
            "Laxmipriya",
            "Basanti",
            "Gitanjali",
            "Sanjukta",
            "Rashmita",
        ),
        men=(
            "Prakash",
            "Bijay",
            "Sanjay",
            "Niranjan",
            "Pradeep",
            "Ramakanta",
            "Dillip",
            "Bhagaban",
            "Sarat",
            "Jagannath",
            "Debendra",
            "Trinath",
        ),
        family_names=(
            "Behera",
            "Sahu",
            "Pradhan",
            "Nayak",
            "Das",
            "Mohanty",
            "Swain",
            "Majhi",
            "Sethi",
            "Rout",
        ),
        style="family",
        place_parts=(
            ("Bada", "Sana", "Kendu", "Bani", "Nua", "Raja", "Kusum", "Dhan"),
            ("pada", "gaon", "pur", "sahi", "bandh", "guda", "patna", "khal"),
        ),
    ),
    Region(
        state="Maharashtra",
        state_lgd=27,
        districts=("Yavatmal", "Nanded", "Beed", "Osmanabad"),
        women=(
            "Sunita",
            "Sangita",
            "Mangal",
            "Savita",
            "Ujwala",
            "Vandana",
            "Lata",
            "Sindhu",
            "Kalpana",
            "Shobha",
            "Archana",
            "Jyoti",
            "Rupali",
            "Asha",
        ),
        men=(
            "Ramesh",
            "Vitthal",
            "Dnyaneshwar",
            "Sopan",
            "Balasaheb",
            "Sanjay",
            "Ganesh",
            "Dattatray",
            "Pandurang",
            "Shivaji",
            "Namdev",
            "Tukaram",
        ),
        family_names=(
            "Patil",
            "Jadhav",
            "Pawar",
            "Shinde",
            "More",
            "Kamble",
            "Gaikwad",
            "Chavan",
            "Wagh",
            "Bhosale",
        ),
        style="family",
        place_parts=(
            ("Shiv", "Wadi", "Pimpal", "Ambe", "Khandala", "Sonar", "Dhamani", "Borgaon"),
            ("wadi", "gaon", "khed", "ner", "pur", "wade", "tanda", "ali"),
        ),
    ),
    Region(
        state="Tamil Nadu",
        state_lgd=33,
        districts=("Villupuram", "Tiruvannamalai", "Dharmapuri", "Ramanathapuram"),
        women=(
            "Lakshmi",
            "Selvi",
            "Muthulakshmi",
            "Pushpa",
            "Saraswathi",
            "Chitra",
            "Valli",
            "Kanniammal",
            "Amudha",
            "Malar",
            "Jothi",
            "Rani",
            "Vasanthi",
            "Meenakshi",
        ),
        men=(
            "Murugan",
            "Arumugam",
            "Ravi",
            "Kannan",
            "Perumal",
            "Selvam",
            "Raman",
            "Subramani",
            "Velu",
            "Palani",
            "Govindan",
            "Sekar",
        ),
        family_names=(),
        style="given",
        place_parts=(
            ("Kottai", "Puthu", "Periya", "Chinna", "Vada", "Then", "Melu", "Keezh"),
            ("palayam", "patti", "kulam", "nallur", "kuppam", "puram", "ur", "pet"),
        ),
    ),
)
